using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace IoTIdentity.TestKit;

/// <summary>
/// What an Orleans silo hosted inside a test process needs: Orleans ends the whole process
/// (<see cref="Environment.FailFast(string)"/>) when its cluster declares one of its silos dead, and a silo starved of
/// CPU on a loaded test machine missed its probes and was declared dead — a fresh-clone CI run lost a test host that
/// way, with every test it had not yet run and the swtpm processes its fixtures would have stopped. Here the silo's
/// death is logged as an error instead, and the test using that silo fails by itself; the probes also wait twice as
/// long before they count as missed.
/// </summary>
public static class InProcessSilo
{
    /// <summary>Applies both to a silo's services (after the host registered its own).</summary>
    public static void Tolerate(IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IFatalErrorHandler, LoggedFatalError>());
        services.Configure<ClusterMembershipOptions>(o => o.ProbeTimeout = TimeSpan.FromSeconds(10));
    }

    /// <summary>A fatal silo error, logged (and written to standard error) without ending the process.</summary>
    public sealed class LoggedFatalError(ILogger<LoggedFatalError> logger) : IFatalErrorHandler
    {
        public bool IsUnexpected(Exception exception) => exception is not OperationCanceledException;

        public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
        {
            logger.LogError(exception, "Orleans reported a fatal error from {Sender} ({Context}); a test host keeps running", sender, context);
            Console.Error.WriteLine($"Orleans fatal error from {sender} ({context}): {exception}");
        }
    }
}
