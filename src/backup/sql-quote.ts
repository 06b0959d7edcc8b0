/** SQL text helpers: a string literal, a quoted identifier, a text[] literal. */
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
export const arr = (xs: string[]) => `ARRAY[${xs.map(lit).join(', ')}]::text[]`;

/** The ALTER DEFAULT PRIVILEGES keyword of a pg_default_acl row (`alias`.defaclobjtype). */
export const defaclKind = (alias: string) =>
  `CASE ${alias}.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END`;
