using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using IoTIdentity.TestKit;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>Silos in <c>Mqtt:Mode=external</c> on a <see cref="MosquittoBroker"/>'s service listener, and their health.</summary>
public static class ExternalBrokerSilos
{
    /// <summary>One key-encryption key for every silo of a run, so silos sharing grain state open each other's CA keys.</summary>
    public static readonly string SharedKek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The settings of a silo logging in as the service user (with <paramref name="password"/> if given).</summary>
    public static Dictionary<string, string?> Settings(MosquittoBroker broker, string clientId, string? password = null) => new()
    {
        ["Mqtt:Mode"] = "external",
        ["Mqtt:External:Host"] = "127.0.0.1",
        ["Mqtt:External:Port"] = broker.ServicePort.ToString(),
        ["Mqtt:External:CaCertificatePath"] = broker.CaCertificatePath,
        ["Mqtt:External:Username"] = MosquittoBroker.ServiceUser,
        ["Mqtt:External:Password"] = password ?? broker.ServicePassword,
        ["Mqtt:External:ClientId"] = $"{clientId}-{Guid.NewGuid():N}"[..24],
        ["Mqtt:External:ReconnectDelay"] = "00:00:00.200",
        ["Mqtt:External:MaxReconnectDelay"] = "00:00:01",
        ["Provisioning:KeyEncryption:Current:KeyId"] = "cluster-test",
        ["Provisioning:KeyEncryption:Current:Key"] = SharedKek,
    };

    /// <summary>Starts a silo with <paramref name="settings"/>.</summary>
    public static async Task<ServiceFixture> StartAsync(Dictionary<string, string?> settings)
    {
        var silo = ServiceFixture.With(settings);
        await silo.InitializeAsync();
        return silo;
    }

    public static async Task WaitUntilHealthyAsync(ServiceFixture silo) => await WaitForHealthAsync(silo, HttpStatusCode.OK);

    /// <summary>Polls <c>/healthz</c> until it answers <paramref name="wanted"/> (a minute at most) and returns its body.</summary>
    public static async Task<JsonElement> WaitForHealthAsync(ServiceFixture silo, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await silo.Http.GetAsync("/healthz");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (response.StatusCode == wanted) return body;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"/healthz still answers {response.StatusCode}: {body}");
            await Task.Delay(200);
        }
    }
}
