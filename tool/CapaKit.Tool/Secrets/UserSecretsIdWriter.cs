using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace CapaKit.Tool.Secrets;

/// <summary>
/// Gives a project a <c>&lt;UserSecretsId&gt;</c> (what `dotnet user-secrets init` does), editing the XML so the
/// file keeps its whitespace, comments, order, line endings and byte-order mark.
/// </summary>
public static class UserSecretsIdWriter
{
    /// <summary>Returns the project's UserSecretsId, adding a new GUID when it has none.</summary>
    /// <param name="added">True when the file was changed.</param>
    public static string Ensure(string projectFile, out bool added)
    {
        var bytes = File.ReadAllBytes(projectFile);
        var bom = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]);
        var text = Encoding.UTF8.GetString(bom ? bytes[3..] : bytes);
        XDocument document;
        try
        {
            document = XDocument.Parse(text, LoadOptions.PreserveWhitespace);
        }
        catch (XmlException e)
        {
            throw new CapaKitException(ExitCodes.Usage, $"{projectFile} is not valid XML ({e.Message}); fix it and run again.");
        }
        var project = document.Root is { Name.LocalName: "Project" } root
            ? root
            : throw new CapaKitException(ExitCodes.Usage, $"{projectFile} is not an MSBuild project (its root is not <Project>); fix it and run again.");
        var ns = project.Name.Namespace;

        if (project.Elements(ns + "PropertyGroup").Elements(ns + "UserSecretsId").FirstOrDefault(e => !string.IsNullOrWhiteSpace(e.Value)) is { } existing)
        {
            added = false;
            return existing.Value.Trim();
        }

        var id = Guid.NewGuid().ToString();
        // The XML reader turns every line break into "\n"; the file's own style is restored when writing.
        var crlf = text.Contains("\r\n", StringComparison.Ordinal);
        const string newline = "\n";
        var indent = IndentOf(project) ?? "  ";
        var element = new XElement(ns + "UserSecretsId", id);
        var group = project.Elements(ns + "PropertyGroup").FirstOrDefault(g => g.Attribute("Condition") is null);
        if (group?.Elements().LastOrDefault() is { } last)
        {
            last.AddAfterSelf(new XText(newline + indent + indent), element);
        }
        else if (group is not null)
        {
            // No properties yet (<PropertyGroup />, or only comments): drop the closing whitespace and re-add it after ours.
            while (group.LastNode is XText { Value: var blank } && string.IsNullOrWhiteSpace(blank))
            {
                group.LastNode.Remove();
            }
            group.Add(new XText(newline + indent + indent), element, new XText(newline + indent));
        }
        else
        {
            var newGroup = new XElement(ns + "PropertyGroup", new XText(newline + indent + indent), element, new XText(newline + indent));
            if (project.Elements().FirstOrDefault() is { } first)
            {
                // The whitespace before the first element now precedes the new group; the same goes before the old first.
                first.AddBeforeSelf(newGroup, new XText(newline + indent));
            }
            else if (project.LastNode is XText { Value: var tail } trailing && string.IsNullOrWhiteSpace(tail))
            {
                trailing.AddBeforeSelf(new XText(newline + indent), newGroup);
                trailing.Value = newline;
            }
            else
            {
                // <Project Sdk="..." />: the element opens up around the new group.
                project.Add(new XText(newline + indent), newGroup, new XText(newline));
            }
        }

        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings
        {
            OmitXmlDeclaration = document.Declaration is null,
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = false,
            NewLineHandling = NewLineHandling.None,
        }))
        {
            document.Save(writer);
        }
        var output = Encoding.UTF8.GetString(buffer.ToArray());
        if (text.EndsWith('\n') && !output.EndsWith('\n'))
        {
            output += newline; // XmlWriter drops whitespace after the root element.
        }
        if (crlf)
        {
            output = output.Replace("\n", "\r\n", StringComparison.Ordinal);
        }
        File.WriteAllText(projectFile, output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: bom));
        added = true;
        return id;
    }

    /// <summary>The indentation of the project's first child element, when there is one to copy.</summary>
    private static string? IndentOf(XElement project)
    {
        var whitespace = project.Elements().FirstOrDefault()?.PreviousNode as XText;
        if (whitespace is null)
        {
            return null;
        }
        var value = whitespace.Value;
        var lineStart = value.LastIndexOf('\n');
        var indent = lineStart >= 0 ? value[(lineStart + 1)..] : null;
        return string.IsNullOrEmpty(indent) ? null : indent;
    }
}
