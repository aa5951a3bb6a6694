using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>Registers the MQTT endpoint in a host.</summary>
public static class MqttEndpointServiceCollectionExtensions
{
    /// <summary>
    /// Adds the MQTT side chosen by <c>Mqtt:Mode</c>, with <see cref="MqttEndpointOptions"/> bound from the <c>Mqtt</c>
    /// section of <paramref name="configuration"/>: <see cref="MqttEndpoint"/> (embedded, the default) or
    /// <see cref="ExternalBrokerClient"/> (external), as a singleton, as the <see cref="IDeviceChannel"/> (inject that to
    /// close sessions or send commands) and as a hosted service. An <see cref="IDeviceRequestHandler"/> must be registered too.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>Mqtt:Mode</c> is neither <c>embedded</c> nor <c>external</c>.</exception>
    public static IServiceCollection AddMqttEndpoint(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(MqttEndpointOptions.SectionName);
        services.AddOptions<MqttEndpointOptions>().Bind(section);
        var mode = section["Mode"] ?? nameof(MqttMode.Embedded);
        if (!Enum.TryParse<MqttMode>(mode, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            throw new InvalidOperationException($"Mqtt:Mode '{mode}' is neither 'embedded' nor 'external'.");
        return parsed == MqttMode.External ? services.AddChannel<ExternalBrokerClient>() : services.AddChannel<MqttEndpoint>();
    }

    private static IServiceCollection AddChannel<TChannel>(this IServiceCollection services)
        where TChannel : class, IDeviceChannel, IHostedService
    {
        services.AddSingleton<TChannel>();
        services.AddSingleton<IDeviceChannel>(provider => provider.GetRequiredService<TChannel>());
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<TChannel>());
        return services;
    }
}
