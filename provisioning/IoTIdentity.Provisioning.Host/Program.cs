using IoTIdentity.Provisioning.Host.Hosting;

// The provisioning service: an Orleans silo with the MQTT endpoint and the HTTP API in one process.
// With no configuration: one silo, SQLite in ./.data, TLS MQTT on 8883 with a dev certificate, HTTP on 8080, a dev tenant.
WebApplication app;
try
{
    app = ProvisioningHost.Build(args);
}
catch (ServiceConfigurationException refused)
{
    // the operator's mistake, not a crash: its message names the settings (never a value), without a stack trace
    Console.Error.WriteLine($"iotid-service: {refused.Message}");
    return ServiceConfigurationException.ExitCode;
}
await app.RunAsync();
return 0;
