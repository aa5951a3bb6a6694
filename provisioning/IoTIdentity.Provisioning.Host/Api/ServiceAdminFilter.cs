using System.Security.Cryptography;
using IoTIdentity.Protocol;
using IoTIdentity.Provisioning.Abstractions;
using IoTIdentity.Provisioning.Grains;
using IoTIdentity.Provisioning.Grains.Tenants;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Admits only the service administrator's key (<c>iotid-admin.…</c>), checked against
/// <see cref="ProvisioningOptions.ServiceAdminKeyHash"/> or, when that is not configured, the bootstrap-created key.
/// Anything else — a tenant key included — is 401: tenant keys never reach service administration.
/// </summary>
public sealed class ServiceAdminFilter : IEndpointFilter
{
    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = ApiKeyFilter.PresentedKey(http);
        if (!key.StartsWith(ServiceAdminKeys.Prefix, StringComparison.Ordinal) || key.Length > 128)
            return Problems.For(ProvisioningError.Unauthenticated, ApiKeys.TryParse(key, out _, out _, out _)
                ? $"needs the service administrator key ({ServiceAdminKeys.Prefix}…); a tenant key never administers the service"
                : $"needs the service administrator key ({ServiceAdminKeys.Prefix}…)");
        var hash = ServiceAdminKeys.Hash(key);
        var configured = http.RequestServices.GetRequiredService<IOptions<ProvisioningOptions>>().Value.ServiceAdminKeyHash;
        var valid = string.IsNullOrWhiteSpace(configured)
            ? await http.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IServiceAdminGrain>(ServiceAdminGrain.Key).VerifyAsync(hash)
            : CryptographicOperations.FixedTimeEquals(Convert.FromHexString(configured.Trim()), hash);
        return valid ? await next(context) : Problems.For(ProvisioningError.Unauthenticated, "needs the service administrator key; the key presented is not it");
    }
}

/// <summary>Endpoint conventions for service administration routes.</summary>
public static class ServiceAdminFilterExtensions
{
    /// <summary>Requires the service administrator's key.</summary>
    public static TBuilder RequireServiceAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new ServiceAdminFilter());
}
