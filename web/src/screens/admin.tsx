import { ProjectionsSection } from './admin-projections';
import { TokensSection } from './admin-tokens';
import { UsersSection } from './admin-users';

/** "Admin" (admin): users and roles, API tokens for RF terminals, and the read models. */
export function AdminScreen() {
  return (
    <section>
      <h1 className="h3">Admin</h1>
      <ProjectionsSection />
      <UsersSection />
      <TokensSection />
    </section>
  );
}
