using CapaKit.Bundle;

namespace CapaKit.Tasks.Policies;

/// <summary>The phase a policy is written for, looked up and checked once so both platform writers agree.</summary>
internal static class PolicyPhase
{
    public static PhaseModel Resolve(WorkloadModel workload, string phase)
    {
        if (!workload.Phases.TryGetValue(phase, out var model))
        {
            throw new ArgumentException($"Workload '{workload.Name}' has no phase '{phase}'.", nameof(phase));
        }
        // A network value this writer does not know must not fall through to some default access.
        if (model.Network is not (NetworkAccess.None or NetworkAccess.Registry or NetworkAccess.Full))
        {
            throw new ArgumentException($"Workload '{workload.Name}' phase '{phase}' has unknown network access '{model.Network}'.", nameof(phase));
        }
        return model;
    }

    /// <summary>Checks a mount's access so an unknown value never turns into write access.</summary>
    public static bool IsWritable(WorkloadMountModel mount) => mount.Access switch
    {
        "read_only" => false,
        "read_write" => true,
        _ => throw new ArgumentException($"Mount '{mount.Mount}' has unknown access '{mount.Access}'."),
    };
}
