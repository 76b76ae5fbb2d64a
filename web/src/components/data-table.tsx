import type { ReactNode } from 'react';

/** A column heading; numbers are right-aligned, heading and cells alike. */
export interface Column {
  readonly label: string;
  readonly numeric?: boolean;
}

/**
 * A compact table that scrolls sideways on a narrow screen, with a light heading row: the
 * dashboard's lists of rows. `label` names it for screen readers; `children` are its body rows.
 */
export function DataTable({ label, columns, children }: { readonly label: string; readonly columns: readonly Column[]; readonly children: ReactNode }) {
  return (
    <div className="table-responsive">
      <table className="table table-sm text-nowrap" aria-label={label}>
        <thead className="table-light">
          <tr>
            {columns.map((column) => (
              <th key={column.label} scope="col" className={column.numeric ? 'text-end' : undefined}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
