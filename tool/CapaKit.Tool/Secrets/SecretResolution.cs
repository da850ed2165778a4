namespace CapaKit.Tool.Secrets;

/// <summary>How a workload's request for a secret ended.</summary>
public enum SecretOutcome
{
    /// <summary>The value was handed over.</summary>
    Granted,
    /// <summary>The workload's manifest entry (or the Kit) does not declare the secret.</summary>
    NotDeclared,
    /// <summary>Declared, but the store has no value for it.</summary>
    NotSet,
    /// <summary>The store could not be read, or the value does not fit in a bridge frame.</summary>
    Unavailable,
}

/// <summary>One audit entry of a bridge: who asked for which secret and what it got. Never the value.</summary>
public sealed record SecretResolution(DateTimeOffset Time, string Workload, string Secret, SecretOutcome Outcome);
