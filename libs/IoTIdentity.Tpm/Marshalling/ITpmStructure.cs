namespace IoTIdentity.Tpm.Marshalling;

/// <summary>A TPM structure with symmetric marshalling: <c>ReadFrom(WriteTo(x))</c> equals <c>x</c> byte for byte.</summary>
public interface ITpmStructure<TSelf> where TSelf : ITpmStructure<TSelf>
{
    /// <summary>Marshals this structure.</summary>
    void WriteTo(ref TpmWriter writer);

    /// <summary>Unmarshals one structure, consuming exactly its bytes.</summary>
    static abstract TSelf ReadFrom(ref TpmReader reader);
}
