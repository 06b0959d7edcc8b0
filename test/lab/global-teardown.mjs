export default async function teardown() {
  for (const item of globalThis.__SHISHA_LAB__ ?? []) await item.stop().catch(() => undefined);
}
