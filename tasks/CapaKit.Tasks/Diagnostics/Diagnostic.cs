namespace CapaKit.Tasks.Diagnostics;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>One problem found in a Kit, with the place it was found (line and column are 1-based; 0 when unknown).</summary>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, string Message, string File, int Line, int Column)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The canonical MSBuild/compiler text form: <c>file(line,col): error CAPA0001: message</c>.</summary>
    public override string ToString()
    {
        var where = Line > 0 ? $"{File}({Line},{Column})" : File;
        var kind = IsError ? "error" : "warning";
        return $"{where}: {kind} {Code}: {Message}";
    }
}

/// <summary>Collects diagnostics in the order they are found.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors => _items.Any(d => d.IsError);

    public void Error(string code, string message, string file, int line = 0, int column = 0) =>
        _items.Add(new Diagnostic(code, DiagnosticSeverity.Error, message, file, line, column));

    public void Warning(string code, string message, string file, int line = 0, int column = 0) =>
        _items.Add(new Diagnostic(code, DiagnosticSeverity.Warning, message, file, line, column));

    public void Error(string code, string message, SourceLocation at) => Error(code, message, at.File, at.Line, at.Column);

    public void Warning(string code, string message, SourceLocation at) => Warning(code, message, at.File, at.Line, at.Column);
}

/// <summary>Where a node of a manifest starts.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}({Line},{Column})";
}
