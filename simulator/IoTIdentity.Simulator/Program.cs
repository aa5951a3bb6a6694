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

var fleetDevices = new Option<int>("--devices") { Description = "Fleet size", DefaultValueFactory = _ => 20 };
var swtpms = new Option<int>("--swtpms") { Description = "swtpm processes in the pool", DefaultValueFactory = _ => 2 };
var fleetDirectory = new Option<string>("--fleet") { Description = "Where the manufactured fleet is kept (reused by later runs)", DefaultValueFactory = _ => ".fleet" };
var serviceProcess = new Option<bool>("--service-process") { Description = "Run the service as its own process and report the CPU it used" };
var firmware = new Option<string?>("--firmware") { Description = "Boot every swtpm into this sample release first (e.g. 1.0.0) and allow only it" };
var reports = new Option<string>("--reports") { Description = "Where JSON reports go", DefaultValueFactory = _ => "artifacts/simulator" };

Command FleetScenario(string name, string description)
{
    var command = new Command(name, description) { fleetDevices, swtpms, fleetDirectory, data, reports, serviceProcess, firmware };
    command.SetAction((result, cancellationToken) => FleetCommand.RunAsync(new FleetOptions(result.GetValue(fleetDevices), result.GetValue(swtpms),
        result.GetValue(fleetDirectory)!, result.GetValue(data)!, result.GetValue(reports)!, result.GetValue(serviceProcess), result.GetValue(firmware)), name, cancellationToken));
    return command;
}

var benchDevices = new Option<int>("--devices") { Description = "Fleet size for the service part", DefaultValueFactory = _ => 200 };
var benchFleet = new Option<string>("--fleet") { Description = "Where the manufactured fleet is kept (reused by later runs)", DefaultValueFactory = _ => ".fleet-benchmark" };
var floorSeconds = new Option<double>("--floor-seconds") { Description = "Measured time per crypto-floor case", DefaultValueFactory = _ => 2 };
var floorRuns = new Option<int>("--floor-runs") { Description = "Timed runs per crypto-floor case (median reported)", DefaultValueFactory = _ => 5 };
var pin = new Option<bool>("--pin") { Description = "Pin the service to CPU 1 and the simulator with its swtpms to CPU 0" };
var serviceEnv = new Option<string[]>("--service-env") { Description = "NAME=value environment for the service process (repeatable)", AllowMultipleArgumentsPerToken = false };
var benchmark = new Command("benchmark", "The crypto floor of one enrolment and the service's CPU per enrolment under load, in one run, and their ratio")
{
    benchDevices, swtpms, benchFleet, data, reports, floorSeconds, floorRuns, pin, serviceEnv,
};
benchmark.SetAction((result, cancellationToken) => BenchmarkCommand.RunAsync(new BenchmarkOptions(result.GetValue(benchDevices), result.GetValue(swtpms),
    result.GetValue(benchFleet)!, result.GetValue(data)!, result.GetValue(reports)!, result.GetValue(floorSeconds), result.GetValue(floorRuns),
    result.GetValue(pin), result.GetValue(serviceEnv)), Console.Out, cancellationToken));

var root = new RootCommand("IoTIdentity fleet simulator")
{
    benchmark,
    demo,
    FleetScenario("first-boot", "Every device of the fleet enrols at once"),
    FleetScenario("rotation-storm", "Every device enrols, then all renew at once"),
    FleetScenario("adversarial", "One device in five attacks; the run fails if any attacker gets a certificate"),
};
return await root.Parse(args).InvokeAsync();
