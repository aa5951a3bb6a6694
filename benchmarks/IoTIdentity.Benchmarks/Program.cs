Console.WriteLine("benchmarks: see BENCHMARKS.md");
