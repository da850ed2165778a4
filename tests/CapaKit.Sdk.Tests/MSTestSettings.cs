// Each test runs whole `dotnet` processes; two at a time keeps a 2-core machine busy without thrashing.
[assembly: Parallelize(Workers = 2, Scope = ExecutionScope.MethodLevel)]
