using System.CommandLine;
using IoTIdentity.Simulator;

// iotid-sim: drives virtual devices with real software TPMs against the provisioning service.
var devices = new Option<int>("--devices") { Description = "How many virtual devices enrol", DefaultValueFactory = _ => 4 };
var data = new Option<string>("--data") { Description = "The service's data directory", DefaultValueFactory = _ => ".data" };
var http = new Option<string>("--urls") { Description = "Where the service's HTTP API listens", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
var mqttPort = new Option<int>("--mqtt-port") { Description = "The service's MQTT TLS port (0: any free port)", DefaultValueFactory = _ => 8883 };

var demo = new Command("demo", "Start the service on its embedded defaults, manufacture software-TPM devices, enrol them, and summarise")
{
    devices, data, http, mqttPort,
};
demo.SetAction((result, cancellationToken) => DemoCommand.RunAsync(
    new DemoOptions(result.GetValue(devices), result.GetValue(data)!, result.GetValue(http)!, result.GetValue(mqttPort)), cancellationToken));

var root = new RootCommand("IoTIdentity fleet simulator") { demo };
return await root.Parse(args).InvokeAsync();
