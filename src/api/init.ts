/**
 * `init`: a new project that builds at once on the embedded engine: a seed, a staging
 * view, a mart built with a loop over a list var and a macro with declared parameters,
 * yml tests, a singular test, selectors.yml and a .gitignore. Refuses a folder that
 * already holds files, so nothing is overwritten.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, StrataError } from '../core/errors.ts';
import { nameProblem } from '../core/names.ts';

const files = (name: string): Record<string, string> => ({
  'project.yaml': `# A strata project. The connection comes from DATABASE_URL (or .env); without one,
# strata builds into the embedded PGlite database under .strata/.
name: ${name}
layers:
  staging: { materialized: view }
  marts:   { materialized: table }
seeds:
  schema: raw
vars:
  statuses: [placed, shipped, completed, returned]
threads: 4
`,
  'seeds/raw_orders.csv': `id,customer_id,order_date,status,amount_cents
1,1,2024-01-01,completed,1250
2,2,2024-01-02,placed,800
3,1,2024-01-05,shipped,4300
4,3,2024-01-07,returned,990
5,2,2024-01-09,completed,2100
`,
  'macros/cents_to_dollars.sql': `{{!-- Usage: {{> cents_to_dollars column="amount_cents"}}; a missing or misspelt argument is a compile error. --}}
{{params "column" scale=2}}round({{column}} / 100.0, {{scale}})
`,
  'models/staging/stg_orders.sql': `select
    id as order_id,
    customer_id,
    order_date,
    status,
    {{> cents_to_dollars column="amount_cents"}} as amount
from {{ref "raw_orders"}}
`,
  'models/marts/customer_orders.sql': `{{!-- One column per status in the \`statuses\` var: a loop over a list var. --}}
select
    customer_id,
    count(*) as orders,
{{#each (var "statuses")}}
    count(*) filter (where status = {{this}}) as {{ident (concat this "_orders")}},
{{/each}}
    sum(amount) as total_amount
from {{ref "stg_orders"}}
group by customer_id
`,
  'models/marts/schema.yml': `version: 2
models:
  - name: customer_orders
    description: Orders and spend per customer.
    columns:
      - name: customer_id
        data_tests: [unique, not_null]
      - name: total_amount
        data_tests:
          - expression_is_true: {expression: ">= 0"}
`,
  'tests/orders_have_a_known_status.sql': `-- every order's status is one of the statuses the marts count
select * from {{ref "stg_orders"}}
where status not in ({{var "statuses"}})
`,
  'selectors.yml': `selectors:
  - name: marts
    definition: {method: layer, value: marts, parents: true}
`,
  '.gitignore': 'target/\nlogs/\ndata/\n.strata/\n.env\n',
});

export function initProject(dir: string, name?: string): { dir: string; files: string[] } {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new StrataError(`${target} is not empty: init only writes into a new or empty folder`, ExitCode.usage);
  }
  const projectName = name ?? basename(target).replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, 'p_');
  const problem = nameProblem(projectName);
  if (problem) throw new StrataError(`project name ${problem} (pass --name)`, ExitCode.usage);
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files(projectName))) {
    mkdirSync(dirname(join(target, rel)), { recursive: true });
    writeFileSync(join(target, rel), text);
    written.push(rel);
  }
  return { dir: target, files: written };
}
