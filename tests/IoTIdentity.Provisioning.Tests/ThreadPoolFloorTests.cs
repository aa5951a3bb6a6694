using IoTIdentity.Provisioning.Host.Hosting;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// <see cref="ThreadPoolFloor"/>: the pool keeps at least eight worker threads ready, whatever the CPU count, and a
/// higher floor set for the runtime is kept. (That the built service has it on one CPU: <c>ServiceBinaryStartTests</c>.)
/// </summary>
[Collection(ThreadPoolSettings.Name)]
public sealed class ThreadPoolFloorTests
{
    [Fact]
    public void The_floor_is_raised_to_eight_and_a_higher_one_is_kept()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        try
        {
            Assert.True(ThreadPool.SetMinThreads(1, io));
            Assert.Equal(ThreadPoolFloor.Workers, ThreadPoolFloor.Apply());
            ThreadPool.GetMinThreads(out var raised, out var ioAfter);
            Assert.Equal((ThreadPoolFloor.Workers, io), (raised, ioAfter));

            Assert.True(ThreadPool.SetMinThreads(ThreadPoolFloor.Workers + 4, io));
            Assert.Equal(ThreadPoolFloor.Workers + 4, ThreadPoolFloor.Apply());
        }
        finally
        {
            ThreadPool.SetMinThreads(Math.Max(workers, ThreadPoolFloor.Workers), io);
        }
    }
}

/// <summary>Tests that change the process's thread pool settings run alone among themselves.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadPoolSettings
{
    public const string Name = "thread pool settings";
}
