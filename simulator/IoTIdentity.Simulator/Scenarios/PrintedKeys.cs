using System.Text;

namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// The keys the service prints on its first start in a data directory: its dev bootstrap announces each new key and
/// prints it alone on the next line, <c>[iotid]   iotid.…</c> (the dev tenant's owner-admin key) or
/// <c>[iotid]   iotid-admin.…</c> (the service administrator key). Read from the service process's output, or from the
/// console while an in-process service starts (<see cref="Capture"/>).
/// </summary>
public sealed class PrintedKeys
{
    /// <summary>The dev tenant's owner-admin key, once printed.</summary>
    public string? ApiKey { get; private set; }

    /// <summary>The service administrator key, once printed.</summary>
    public string? AdminKey { get; private set; }

    /// <summary>Notes a key if <paramref name="line"/> is one.</summary>
    public void Read(string? line)
    {
        if (line?.Trim() is not { } text || !text.StartsWith("[iotid]", StringComparison.Ordinal)) return;
        var key = text[7..].Trim();
        if (key.StartsWith("iotid.", StringComparison.Ordinal)) ApiKey = key;
        else if (key.StartsWith("iotid-admin.", StringComparison.Ordinal)) AdminKey = key;
    }

    /// <summary>
    /// Reads the keys an in-process service prints until the returned scope is disposed; the console still shows
    /// everything, for the user to keep.
    /// </summary>
    public static Scope Capture() => new(new PrintedKeys());

    /// <summary>While it lives, the console's output passes through <see cref="Keys"/> as well.</summary>
    public sealed class Scope : IDisposable
    {
        private readonly TextWriter _original = Console.Out;

        internal Scope(PrintedKeys keys)
        {
            Keys = keys;
            Console.SetOut(TextWriter.Synchronized(new Tee(_original, keys)));
        }

        /// <summary>The keys read so far.</summary>
        public PrintedKeys Keys { get; }

        /// <inheritdoc/>
        public void Dispose()
        {
            Console.Out.Flush();
            Console.SetOut(_original);
        }
    }

    private sealed class Tee(TextWriter inner, PrintedKeys keys) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            inner.Write(value);
            Scan(value);
        }

        public override void Write(string? value)
        {
            inner.Write(value);
            foreach (var c in value ?? "") Scan(c);
        }

        public override void WriteLine(string? value)
        {
            inner.WriteLine(value);
            foreach (var c in value ?? "") Scan(c);
            Scan('\n');
        }

        private void Scan(char c)
        {
            if (c != '\n')
            {
                _line.Append(c);
                return;
            }
            keys.Read(_line.ToString());
            _line.Clear();
        }

        public override void Flush()
        {
            if (_line.Length > 0) keys.Read(_line.ToString());
            _line.Clear();
            inner.Flush();
        }
    }
}
