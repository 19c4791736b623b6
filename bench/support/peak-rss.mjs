// Loaded with `node --import` by the benchmarks: prints the process's peak resident memory
// (worker threads included) when it exits, for the parent to read from stderr.
process.on('exit', () => process.stderr.write(`\npeak_rss_kb=${process.resourceUsage().maxRSS}\n`));
