using System.Net.Http.Json;
using IoTIdentity.Provisioning.Abstractions;
using Xunit;

namespace IoTIdentity.TestKit;

/// <summary>Polling a transfer through the API until it reaches a state.</summary>
public static class TransferPolling
{
    /// <summary>The transfer once <paramref name="condition"/> holds; fails after <paramref name="patience"/> with its counts and <paramref name="diagnostics"/>.</summary>
    public static async Task<TransferView> WaitForAsync(HttpClient http, string transferId,
        Func<TransferView, bool> condition, TimeSpan patience, string what, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var view = (await http.GetFromJsonAsync<TransferView>($"/api/v1/transfers/{transferId}"))!;
            if (condition(view)) return view;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {patience}: {what}; counts {view.Counts} {diagnostics?.Invoke()}");
            await Task.Delay(300);
        }
    }
}
