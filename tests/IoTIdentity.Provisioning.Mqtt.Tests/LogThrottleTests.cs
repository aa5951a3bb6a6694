using System.Net.Sockets;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// Lines anonymous senders can cause come at most once per interval for each reason, and each says how many occurrences
/// it stands for: none is lost, and a flood of refused connects is a handful of lines (the metric still counts each).
/// </summary>
public sealed class LogThrottleTests
{
    [Fact]
    public void At_most_one_line_per_interval_for_each_key_and_the_lines_account_for_every_occurrence()
    {
        var random = new Random(29);
        for (var run = 0; run < 200; run++)
        {
            var clock = new ManualClock();
            var interval = TimeSpan.FromSeconds(random.Next(1, 20));
            var throttle = new LogThrottle(interval, clock);
            var keys = Enumerable.Range(0, random.Next(1, 5)).Select(k => $"reason-{k}").ToArray();
            var occurred = keys.ToDictionary(k => k, _ => 0L);
            var written = keys.ToDictionary(k => k, _ => new List<(TimeSpan At, long Count)>());
            for (var i = 0; i < random.Next(1, 2000); i++)
            {
                clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 300)));
                var key = keys[random.Next(keys.Length)];
                occurred[key]++;
                if (throttle.Occurred(key) is { } count) written[key].Add((clock.Now, count));
            }
            clock.Advance(interval);
            foreach (var key in keys)
            {
                if (throttle.Occurred(key) is { } last) written[key].Add((clock.Now, last));   // the one after a quiet interval is always written
                else Assert.Fail($"{key}: no line after a quiet interval");
                var lines = written[key];
                Assert.Equal(occurred[key] + 1, lines.Sum(l => l.Count));
                for (var i = 1; i < lines.Count; i++) Assert.True(lines[i].At - lines[i - 1].At >= interval, $"{key}: two lines within {interval}");
            }
        }
    }

    [Fact]
    public async Task A_flood_of_slow_handshakes_is_a_line_per_interval_and_every_one_is_counted()
    {
        const int Flood = 40;
        var logger = new ListLogger<MqttEndpoint>();
        await using var harness = await EndpointHarness.StartAsync(o => o.ConnectTimeout = TimeSpan.FromSeconds(1), logger: logger);
        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Flood; i++)
            {
                var client = new TcpClient();
                clients.Add(client);
                await client.ConnectAsync("127.0.0.1", harness.Endpoint.TlsPort).Within();
            }
            foreach (var client in clients) Assert.True(await TransportLimitTests.ClosedByServerAsync(client.GetStream()), "dropped after the connect timeout");
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }

        Assert.Equal(Flood, harness.RefusalCount(MqttRefusals.SlowHandshake));
        var lines = logger.Lines.Where(l => l.Contains(MqttRefusals.SlowHandshake, StringComparison.Ordinal)).ToList();
        Assert.InRange(lines.Count, 1, 2);   // within one ten-second interval: the first, and at most one more
        Assert.Contains("1 refused for this reason since the last such line", lines[0]);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public TimeSpan Now => TimeSpan.FromTicks(_ticks);

        public void Advance(TimeSpan by) => _ticks += by.Ticks;

        public override long GetTimestamp() => _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}
