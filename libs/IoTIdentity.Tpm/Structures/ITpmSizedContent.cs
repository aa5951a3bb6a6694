using IoTIdentity.Tpm.Marshalling;

namespace IoTIdentity.Tpm.Structures;

/// <summary>A structure that travels inside a size-prefixed TPM2B wrapper (<see cref="Tpm2b{T}"/>).</summary>
public interface ITpmSizedContent<TSelf> : ITpmStructure<TSelf> where TSelf : ITpmSizedContent<TSelf>
{
    /// <summary>The wrapper's maximum size (sizeof the inner structure).</summary>
    static abstract int MaxSize { get; }

    /// <summary>The spec name of the wrapper, for error messages (e.g. "TPM2B_PUBLIC").</summary>
    static abstract string WrapperName { get; }
}
