// Loaded with `node --import` by the benchmarks: prints the process's peak resident memory
// (worker threads included) when it exits, for the parent to read from stderr.
process.on('exit', () => process.stderr.write(`\npeak_rss_kb=${process.resourceUsage().maxRSS}\n`));
// …and its CPU time (user + system, worker threads included).
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`cpu_s=${((u.userCPUTime + u.systemCPUTime) / 1e6).toFixed(2)}\n`);
});
