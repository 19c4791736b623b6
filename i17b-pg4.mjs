import { PGlite } from '@electric-sql/pglite';
const [dir, sb] = process.argv.slice(2);
const opts = sb ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sb}`] } : {};
let t=performance.now(); const c0=process.cpuUsage();
const db = await PGlite.create(dir, opts);
const c=process.cpuUsage(c0);
const r = await db.query("select current_setting('shared_buffers') as sb");
console.log(sb??'default', r.rows[0].sb, 'create ms', (performance.now()-t).toFixed(0), 'cpu', ((c.user+c.system)/1000).toFixed(0), 'rss', (process.memoryUsage().rss/1e6).toFixed(0));
await db.close();
