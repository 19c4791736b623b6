import { PGlite } from '@electric-sql/pglite';
const db = await PGlite.create(process.argv[2]);
for (const k of [0,1]) {
let t=performance.now();
for (let i=0;i<2000;i++) await db.query('select 1');
console.log('2000 query', (performance.now()-t).toFixed(0));
t=performance.now();
for (let i=0;i<2000;i++) await db.exec('select 1');
console.log('2000 exec', (performance.now()-t).toFixed(0));
t=performance.now();
for (let i=0;i<2000;i++) await db.query('select 1 as x', []);
console.log('2000 query []', (performance.now()-t).toFixed(0));
}
await db.close();
