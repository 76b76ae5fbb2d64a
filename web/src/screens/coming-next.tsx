import { Link } from 'wouter';

/** The page of a screen not built yet (or of an unknown path), so that every link leads somewhere. */
export function ComingNext({ title, missing = false }: { readonly title: string; readonly missing?: boolean }) {
  return (
    <section>
      <h1 className="h3">{title}</h1>
      <p className="text-body-secondary">{missing ? 'There is no such page.' : 'This screen is coming next.'}</p>
      <Link href="/stock">Go to Stock</Link>
    </section>
  );
}
