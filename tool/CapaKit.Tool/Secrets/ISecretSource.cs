namespace CapaKit.Tool.Secrets;

/// <summary>Where the runtime finds secret values (the user-secrets store in practice; a fake in tests).</summary>
public interface ISecretSource
{
    /// <summary>The value of <paramref name="name"/>; false (and "") when it has no value.</summary>
    bool TryGet(string name, out string value);
}
