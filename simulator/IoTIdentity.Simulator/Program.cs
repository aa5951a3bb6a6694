using System.CommandLine;
using IoTIdentity.Simulator;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Simulator.Scenarios;

// iotid-sim: drives virtual devices with real software TPMs against the provisioning service.
GeneratorRuntime.InlineSocketCompletions();
var devices = new Option<int>("--devices") { Description = "How many virtual devices enrol", DefaultValueFactory = _ => 4 };
var data = new Option<string>("--data") { Description = "The service's data directory", DefaultValueFactory = _ => ".data" };
var http = new Option<string>("--urls") { Description = "Where the service's HTTP API listens", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
var mqttPort = new Option<int>("--mqtt-port") { Description = "The service's MQTT TLS port (0: any free port)", DefaultValueFactory = _ => 8883 };

var keepRunning = new Option<bool>("--keep-running") { Description = "Keep the service running after the summary (Ctrl+C stops it), so the keys it printed stay useful" };
var demo = new Command("demo", "Start the service on its embedded defaults, manufacture software-TPM devices, enrol them, and summarise")
{
    devices, data, http, mqttPort, keepRunning,
};
demo.SetAction((result, cancellationToken) => DemoCommand.RunAsync(
    new DemoOptions(result.GetValue(devices), result.GetValue(data)!, result.GetValue(http)!, result.GetValue(mqttPort), result.GetValue(keepRunning)), cancellationToken));

var fleetDevices = new Option<int>("--devices") { Description = "Fleet size", DefaultValueFactory = _ => 20 };
var swtpms = new Option<int>("--swtpms") { Description = "swtpm processes in the pool", DefaultValueFactory = _ => 2 };
var fleetDirectory = new Option<string>("--fleet") { Description = "Where the manufactured fleet is kept (reused by later runs)", DefaultValueFactory = _ => ".fleet" };
var ek = new Option<EkAlgorithm>("--ek") { Description = "EK algorithm of newly manufactured devices", DefaultValueFactory = _ => EkAlgorithm.Ecc };
var serviceProcess = new Option<bool>("--service-process") { Description = "Run the service as its own process and report the CPU it used" };
var firmware = new Option<string?>("--firmware") { Description = "Boot every swtpm into this sample release first (e.g. 1.0.0) and allow only it" };
var reports = new Option<string>("--reports") { Description = "Where JSON reports and PNG charts go", DefaultValueFactory = _ => "artifacts/simulator" };
var rate = new Option<double?>("--rate") { Description = "Arrivals per second (open loop; default: as fast as possible, soak: 5)" };
var duration = new Option<string?>("--duration") { Description = "How long soak runs: 90s, 10m, 1h or hh:mm:ss (default 60s)" };
var serviceUrl = new Option<string?>("--service-url") { Description = "A running service's HTTP API (remote target), e.g. http://host:8080" };
var mqtt = new Option<string?>("--mqtt") { Description = "The remote target's MQTT TLS endpoint, host:port" };
var caCert = new Option<string?>("--ca-cert") { Description = "PEM the remote MQTT server certificate chains to" };
var apiKey = new Option<string?>("--api-key") { Description = "Operator or owner-admin API key of the remote tenant" };
var adminKey = new Option<string?>("--admin-key") { Description = "The remote service's administrator key (iotid-admin.…), for scenarios that create a tenant (transfer)" };
var tpmKind = new Option<TpmKind>("--tpm") { Description = "swtpm: a pool of swtpm processes; emulated: in-process software TPMs for load", DefaultValueFactory = _ => TpmKind.Swtpm };
var createGroup = new Option<bool>("--create-group") { Description = "Let the simulator create the remote group or add its manufacturer root to it (otherwise it says what it would change and stops)" };
var group = new Option<string>("--group") { Description = "Remote enrolment group that trusts the fleet's manufacturer", DefaultValueFactory = _ => "iotid-sim" };

Command FleetScenario(IFleetScenario scenario)
{
    var command = new Command(scenario.Name, scenario.Description)
    {
        fleetDevices, swtpms, fleetDirectory, ek, tpmKind, data, reports, serviceProcess, firmware, rate, duration, serviceUrl, mqtt, caCert, apiKey, adminKey, group, createGroup,
    };
    command.SetAction(async (result, cancellationToken) =>
    {
        FleetOptions options;
        try
        {
            options = new FleetOptions(result.GetValue(fleetDevices), result.GetValue(swtpms), result.GetValue(fleetDirectory)!, result.GetValue(data)!,
                result.GetValue(reports)!, result.GetValue(serviceProcess), result.GetValue(firmware), result.GetValue(rate),
                FleetArguments.Duration(result.GetValue(duration)), result.GetValue(ek),
                FleetArguments.Remote(result.GetValue(serviceUrl), result.GetValue(mqtt), result.GetValue(caCert), result.GetValue(apiKey), result.GetValue(group)!,
                    result.GetValue(adminKey), result.GetValue(createGroup)), result.GetValue(tpmKind));
            FleetArguments.Check(options, scenario);
            return await FleetCommand.RunAsync(options, scenario, cancellationToken);
        }
        catch (Exception e) when (e is ArgumentException or RemoteTargetException)
        {
            Console.Error.WriteLine($"iotid-sim {scenario.Name}: {e.Message}");
            return 2;
        }
    });
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

var startRate = new Option<double>("--start-rate") { Description = "The first ramp step's arrivals per second", DefaultValueFactory = _ => 20 };
var factor = new Option<double>("--factor") { Description = "Each ramp step's rate is the previous one's times this", DefaultValueFactory = _ => 1.5 };
var stepSeconds = new Option<double>("--step-seconds") { Description = "How long each step's arrivals last", DefaultValueFactory = _ => 10 };
var maxSteps = new Option<int>("--max-steps") { Description = "Ramp steps at most", DefaultValueFactory = _ => 12 };
var maxP99 = new Option<double>("--max-p99-ms") { Description = "A step whose end-to-end p99 exceeds this has broken the service", DefaultValueFactory = _ => 1000 };
var noPin = new Option<bool>("--no-pin") { Description = "Do not pin the service to CPU 1 and the generator to CPU 0" };
var capacityFleet = new Option<string>("--fleet") { Description = "Where the manufacturer CA is kept", DefaultValueFactory = _ => ".fleet-capacity" };
var renewalDevices = new Option<int>("--renewal-devices") { Description = "Devices that enrol, stay connected and renew in the renewal storm (0: none)", DefaultValueFactory = _ => 200 };
var connections = new Option<int>("--connections") { Description = "Devices connected at once and idle for memory per connection (0: not measured)", DefaultValueFactory = _ => 10_000 };
var otherTenants = new Option<int>("--other-tenants") { Description = "Tenants made besides the dev tenant, each with a group trusting another vendor, among which every first enrolment is resolved", DefaultValueFactory = _ => 0 };
var capacity = new Command("capacity", "Ramp open-loop arrivals of emulated devices until the service breaks; floors, CPU per enrolment, capacity and latency at 50 % and 80 %; the same for a renewal storm on connected devices; memory per idle connection; in one run")
{
    capacityFleet, data, reports, startRate, factor, stepSeconds, maxSteps, maxP99, floorSeconds, floorRuns, noPin, ek, renewalDevices, connections, otherTenants,
};
capacity.SetAction((result, cancellationToken) => CapacityCommand.RunAsync(new CapacityOptions(result.GetValue(capacityFleet)!, result.GetValue(data)!,
    result.GetValue(reports)!, result.GetValue(startRate), result.GetValue(factor), result.GetValue(stepSeconds), result.GetValue(maxSteps),
    result.GetValue(maxP99), result.GetValue(floorSeconds), result.GetValue(floorRuns), !result.GetValue(noPin), result.GetValue(ek),
    result.GetValue(renewalDevices), result.GetValue(connections), result.GetValue(otherTenants)), Console.Out, cancellationToken));

var channelFleet = new Option<string>("--fleet") { Description = "Where the manufacturer CA is kept", DefaultValueFactory = _ => ".fleet-channel" };
var channelDevices = new Option<int>("--devices") { Description = "Emulated devices that enrol, then connect and renew in every round", DefaultValueFactory = _ => 100 };
var channelRounds = new Option<int>("--rounds") { Description = "Rounds of each kind (the kinds alternate round by round)", DefaultValueFactory = _ => 3 };
var channelParallel = new Option<int>("--parallel") { Description = "Connects or renewals in flight at once", DefaultValueFactory = _ => 8 };
var channelCost = new Command("channel-cost", "The service's CPU per connect with and without a client certificate (mTLS) and per renewal on an authenticated and an enrolment-only session, beside the crypto floor measured in the same run")
{
    channelFleet, data, reports, channelDevices, channelRounds, channelParallel, floorSeconds, floorRuns, noPin,
};
channelCost.SetAction((result, cancellationToken) => ChannelCostCommand.RunAsync(new ChannelCostOptions(result.GetValue(channelFleet)!, result.GetValue(data)!,
    result.GetValue(reports)!, result.GetValue(channelDevices), result.GetValue(channelRounds), result.GetValue(channelParallel), result.GetValue(floorSeconds),
    result.GetValue(floorRuns), !result.GetValue(noPin)), Console.Out, cancellationToken));

var scaleData = new Option<string>("--data") { Description = "The service data directory to fill (kept: a later run goes on from it)", DefaultValueFactory = _ => ".storage-scale" };
var scaleCheckpoints = new Option<int[]>("--checkpoints") { Description = "Fleet sizes to measure at, ascending (repeatable); the last is filled to", DefaultValueFactory = _ => [10_000, 100_000, 1_000_000] };
var scaleSamples = new Option<int>("--samples") { Description = "Timed reads per figure at each checkpoint", DefaultValueFactory = _ => 500 };
var noServiceStart = new Option<bool>("--no-service-start") { Description = "Do not start the service on the store at each checkpoint" };
var scaleStore = new Option<StorageScaleStore>("--store") { Description = "sqlite: the service's file in --data (kept); cosmos: a Cosmos DB test server started for the run (tests/cosmosdb-server, in memory)", DefaultValueFactory = _ => StorageScaleStore.Sqlite };
var scaleStateBytes = new Option<int>("--state-bytes") { Description = "Size of each device's grain state document (a freshly enrolled device's is ≈ 4,560 bytes)", DefaultValueFactory = _ => 1536 };
var scaleCache = new Option<int?>("--cache-megabytes") { Description = "SQLite only: Storage:Sqlite:CacheMegabytes of the measured store and the service (default: the service's)" };
var storageScale = new Command("storage-scale", "Fill the service's store (SQLite, or a Cosmos DB test server) through its storage layer and measure inventory pages, lookups, audit by device, start time and bytes per device")
{
    scaleData, scaleCheckpoints, scaleSamples, noServiceStart, scaleStore, scaleCache, scaleStateBytes,
};
storageScale.SetAction((result, cancellationToken) => StorageScaleCommand.RunAsync(new StorageScaleOptions(result.GetValue(scaleData)!,
    result.GetValue(scaleCheckpoints)!, result.GetValue(scaleSamples), result.GetValue(scaleStateBytes), !result.GetValue(noServiceStart), result.GetValue(scaleStore),
    CacheMegabytes: result.GetValue(scaleCache)), Console.Out, cancellationToken));

var manufacture = new Command("manufacture", "Only the factory step: manufacture (or top up) the fleet and print what it cost per device")
{
    fleetDevices, swtpms, fleetDirectory, ek,
};
manufacture.SetAction((result, cancellationToken) => ManufactureCommand.RunAsync(result.GetValue(fleetDirectory)!, result.GetValue(fleetDevices),
    result.GetValue(swtpms), result.GetValue(ek), cancellationToken));

var root = new RootCommand("IoTIdentity fleet simulator") { benchmark, capacity, channelCost, demo, manufacture, storageScale };
foreach (var scenario in ScenarioCatalog.All) root.Subcommands.Add(FleetScenario(scenario));
return await root.Parse(args).InvokeAsync();
