using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>Registers the MQTT endpoint in a host.</summary>
public static class MqttEndpointServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="MqttEndpoint"/> as a singleton (inject it to close sessions or send commands) and as a hosted
    /// service, with <see cref="MqttEndpointOptions"/> bound from the <c>Mqtt</c> section of <paramref name="configuration"/>.
    /// An <see cref="IDeviceRequestHandler"/> must be registered too.
    /// </summary>
    public static IServiceCollection AddMqttEndpoint(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttEndpointOptions>().Bind(configuration.GetSection(MqttEndpointOptions.SectionName));
        services.AddSingleton<MqttEndpoint>();
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<MqttEndpoint>());
        return services;
    }
}
