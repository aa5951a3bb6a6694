using System.Net;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Mqtt;
using MQTTnet;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTIdentity.Provisioning.Mqtt.Tests;

/// <summary>
/// The request rate per source address (<c>Mqtt:AddressRequestsPerWindow</c>) counts an IPv6 sender per /64 — whichever
/// address of the /64 it sends from and however the address is spelled — and an IPv4 sender per address, plain or
/// IPv4-mapped: a sender that holds a /64 (every IPv6 subscriber does) cannot multiply its allowance by changing
/// addresses, while the next /64 has an allowance of its own. A property over random prefixes, interface ids and spellings.
/// </summary>
public sealed class SourceAddressRateTests
{
    private const int Trials = 200;

    [Fact]
    public void Every_address_and_spelling_of_one_IPv6_64_shares_one_allowance_and_the_next_64_has_its_own()
    {
        var random = new Random(64);
        for (var trial = 0; trial < Trials; trial++)
        {
            var allowance = random.Next(1, 6);
            using var admission = new Admission(allowance);
            var prefix = new byte[8];
            random.NextBytes(prefix);
            prefix[0] = (byte)(0x20 | (prefix[0] & 0x1F));   // global unicast 2000::/3, never an IPv4-mapped or -compatible form

            for (var i = 0; i < allowance; i++)
            {
                var address = Spell(InPrefix(prefix, random), random);
                Assert.True(admission.Admit(address) is null, $"trial {trial}: request {i + 1} of {allowance} from {address} is within the /64's allowance");
            }
            var beyond = Spell(InPrefix(prefix, random), random);
            Assert.Equal(ProvisioningError.RateLimited, admission.Admit(beyond)?.Error);

            var neighbour = (byte[])prefix.Clone();
            neighbour[random.Next(8)] ^= (byte)(1 << random.Next(8));
            var next = Spell(InPrefix(neighbour, random), random);
            Assert.True(admission.Admit(next) is null, $"trial {trial}: {next} is another /64 than {beyond}");
        }
    }

    [Fact]
    public void An_IPv4_sender_has_one_allowance_whether_its_address_comes_plain_or_IPv4_mapped()
    {
        var random = new Random(4);
        for (var trial = 0; trial < Trials; trial++)
        {
            var allowance = random.Next(1, 6);
            using var admission = new Admission(allowance);
            var ipv4 = new IPAddress(random.Next(0x01000000, 0x7F000000));
            string Either() => random.Next(2) == 0 ? ipv4.ToString() : ipv4.MapToIPv6().ToString();

            for (var i = 0; i < allowance; i++) Assert.True(admission.Admit(Either()) is null, $"trial {trial}: request {i + 1} of {allowance} from {ipv4}");
            Assert.Equal(ProvisioningError.RateLimited, admission.Admit(Either())?.Error);

            var bytes = ipv4.GetAddressBytes();
            bytes[3] ^= 1;
            Assert.True(admission.Admit(new IPAddress(bytes).ToString()) is null, $"trial {trial}: the next IPv4 address has its own allowance");
        }
    }

    private static IPAddress InPrefix(byte[] prefix, Random random)
    {
        var bytes = new byte[16];
        prefix.CopyTo(bytes, 0);
        random.NextBytes(bytes.AsSpan(8));
        return new IPAddress(bytes);
    }

    /// <summary>One of the spellings an address can arrive in: compressed, every group written out, upper case.</summary>
    private static string Spell(IPAddress address, Random random)
    {
        var bytes = address.GetAddressBytes();
        var groups = Enumerable.Range(0, 8).Select(i => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
        return random.Next(3) switch
        {
            0 => address.ToString(),
            1 => string.Join(':', groups.Select(g => g.ToString("x4", System.Globalization.CultureInfo.InvariantCulture))),
            _ => address.ToString().ToUpperInvariant(),
        };
    }

    /// <summary>The endpoint's admission with a long window, each request from a device id of its own (so only the address rate can refuse).</summary>
    private sealed class Admission : IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();
        private readonly EndpointMetrics _metrics = new(null);
        private readonly RequestAdmission _admission;
        private int _devices;

        public Admission(int allowance)
        {
            var options = new MqttEndpointOptions { AddressRequestsPerWindow = allowance, AddressRateWindow = TimeSpan.FromHours(1) };
            var dispatcher = new RequestDispatcher(new FakeHandler(), options, (_, _) => Task.CompletedTask, _metrics, NullLogger.Instance, _stopping.Token);
            _admission = new RequestAdmission(options, dispatcher, _metrics, TimeProvider.System, NullLogger.Instance);
        }

        public RequestRefusal? Admit(string address)
        {
            var device = (++_devices).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
            var message = new MqttApplicationMessageBuilder().WithTopic(Topics.Request(device, Topics.Operations.Register))
                .WithResponseTopic(Topics.Response(device, Topics.Operations.Register)).WithCorrelationData([1]).WithPayload("{}"u8.ToArray()).Build();
            return _admission.Admit(device, message, address);
        }

        public void Dispose()
        {
            _stopping.Cancel();
            _stopping.Dispose();
            _metrics.Dispose();
        }
    }
}
