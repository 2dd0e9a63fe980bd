-- Prints one line "WRKJSON {...}" with requests/s, errors and the latency distribution (ms) when wrk is done.
local ps = {10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 97.5, 98, 98.5, 99, 99.25, 99.5, 99.75,
            99.9, 99.95, 99.99}

done = function(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write("WRKJSON {")
  io.write(string.format('"requests":%d,"seconds":%.3f,"rps":%.2f,', summary.requests, secs, summary.requests / secs))
  io.write(string.format('"errors":%d,"non2xx":%d,', e.connect + e.read + e.write + e.timeout, e.status))
  io.write(string.format('"p50Ms":%.4f,"p99Ms":%.4f,"p999Ms":%.4f,"maxMs":%.4f,"meanMs":%.4f,',
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000, latency.mean / 1000))
  io.write(string.format('"dist":[[0,%.4f]', latency.min / 1000))
  for _, p in ipairs(ps) do
    io.write(string.format(',[%g,%.4f]', p, latency:percentile(p) / 1000))
  end
  io.write(string.format(',[100,%.4f]]}\n', latency.max / 1000))
end
