using IoTIdentity.Provisioning.Host.Hosting;

// The provisioning service: an Orleans silo with the MQTT endpoint and the HTTP API in one process.
// With no configuration: one silo, SQLite in ./.data, TLS MQTT on 8883 with a dev certificate, HTTP on 8080, a dev tenant.
var app = ProvisioningHost.Build(args);
await app.RunAsync();
