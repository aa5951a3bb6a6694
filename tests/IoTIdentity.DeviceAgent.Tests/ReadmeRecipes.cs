using System.Diagnostics;
using System.Text.RegularExpressions;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// The <c>```sh</c> blocks of device-agent/README.md that start with <c># recipe: NAME</c>, run exactly as written by
/// <c>bash -euo pipefail</c> in a working directory, with the variables the recipe reads.
/// </summary>
public static partial class ReadmeRecipes
{
    private static readonly string Readme = FindReadme();

    public static async Task<(int Code, string Output)> RunAsync(string name, string workingDirectory, IReadOnlyDictionary<string, string> variables)
    {
        var recipe = RecipeBlock().Matches(File.ReadAllText(Readme)).FirstOrDefault(m => m.Groups["name"].Value == name);
        Assert.True(recipe is not null, $"device-agent/README.md has no '# recipe: {name}' block");
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", recipe!.Groups["body"].Value])
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (key, value) in variables) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "device-agent", "README.md");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("device-agent/README.md not found above the test output");
    }

    [GeneratedRegex(@"```sh\n# recipe: (?<name>[\w-]+)\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex RecipeBlock();
}
