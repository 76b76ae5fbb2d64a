// Jest loads global set-up files outside its module system, where TypeScript's `.js` import
// specifiers do not resolve; tsx loads the TypeScript set-up as native ESM instead.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup(globalConfig) {
  const { default: setup } = await tsImport('./global-setup.ts', import.meta.url);
  await setup(globalConfig);
}
