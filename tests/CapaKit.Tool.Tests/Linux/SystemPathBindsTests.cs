using CapaKit.Tool.Sandbox.Linux;

namespace CapaKit.Tool.Tests.Linux;

/// <summary>
/// How a spec's system paths become binds, on a made-up tree shaped like the CA folders of Debian (links into a
/// shared folder), Fedora (the folder itself a link) and Arch (links into another /etc folder), with a link into a
/// private keys folder that must stay dangling.
/// </summary>
[TestClass]
public sealed class SystemPathBindsTests
{
    private string root = "";

    [TestInitialize]
    public void MakeTree()
    {
        root = Path.Combine(Path.GetTempPath(), "capakit-binds-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var folder in new[] { "etc/ssl/certs", "etc/ssl/private", "share/ca", "etc/pki/tls/certs", "etc/pki/extracted", "etc/cadir/java" })
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
        }
        Write("etc/ssl/certs/bundle.crt", "etc/ssl/private/key.pem", "share/ca/a.crt", "share/ca/b.crt", "etc/pki/extracted/bundle.pem", "etc/cadir/c.pem");
        Link("etc/ssl/certs/a.pem", Path.Combine(root, "share/ca/a.crt"));          // absolute, outside
        Link("etc/ssl/certs/b.pem", "../../../share/ca/b.crt");                      // relative, outside
        Link("etc/ssl/certs/1234.0", "bundle.crt");                                   // inside the folder
        Link("etc/ssl/certs/c.pem", "../../cadir/c.pem");                             // another /etc folder
        Link("etc/ssl/certs/java", "../../cadir/java");                               // a folder
        Link("etc/ssl/certs/stolen.pem", "../private/key.pem");                       // never bound
        Link("etc/ssl/certs/gone.pem", "../../../nowhere.pem");                       // dangling
        Link("etc/ssl/certs/top", "/");                                               // too much to bind
        Link("etc/pki/tls/certs/ca-bundle.crt", Path.Combine(root, "etc/pki/extracted/bundle.pem"));
        Link("etc/fedora-certs", "pki/tls/certs");                                    // the folder is a link
    }

    [TestCleanup]
    public void RemoveTree() => Directory.Delete(root, recursive: true);

    [TestMethod]
    public void LinkedFilesAndFoldersAreBoundAtTheirTargets_NeverAPrivateOne()
    {
        var certs = P("etc/ssl/certs");

        var arguments = Binds([certs, P("etc/missing")]);

        CollectionAssert.AreEqual(
            new[]
            {
                "--ro-bind-try", certs, certs,
                "--ro-bind-try", P("etc/missing"), P("etc/missing"),
                "--ro-bind", P("etc/cadir/c.pem"), P("etc/cadir/c.pem"),
                "--ro-bind", P("etc/cadir/java"), P("etc/cadir/java"),
                "--ro-bind", P("share/ca/a.crt"), P("share/ca/a.crt"),
                "--ro-bind", P("share/ca/b.crt"), P("share/ca/b.crt"),
            },
            arguments);
    }

    [TestMethod]
    public void AFolderThatIsALink_IsBoundAtItsTargetAndLinkedThere()
    {
        var link = P("etc/fedora-certs");
        var target = P("etc/pki/tls/certs");

        var arguments = Binds([link]);

        CollectionAssert.AreEqual(
            new[]
            {
                "--ro-bind", target, target, "--symlink", target, link,
                "--ro-bind", P("etc/pki/extracted/bundle.pem"), P("etc/pki/extracted/bundle.pem"),
            },
            arguments);
    }

    [TestMethod]
    public void TargetsInsideABoundPath_AreNotBoundAgain_AndPathsNotFollowedKeepTheirLinks()
    {
        var certs = P("etc/ssl/certs");

        var arguments = Binds([certs, P("share"), P("etc/cadir")]);
        var notFollowed = SystemPathBinds.Arguments([certs], _ => false, [P("etc/ssl/private")]);

        CollectionAssert.AreEqual(
            new[] { "--ro-bind-try", certs, certs, "--ro-bind-try", P("share"), P("share"), "--ro-bind-try", P("etc/cadir"), P("etc/cadir") },
            arguments);
        CollectionAssert.AreEqual(new[] { "--ro-bind-try", certs, certs }, notFollowed);
    }

    [TestMethod]
    public void ANeverBoundPath_IsNotBoundEvenWhenListed()
    {
        var arguments = Binds([P("etc/ssl/private"), P("etc/ssl")]);

        CollectionAssert.DoesNotContain(arguments, P("etc/ssl/private"));
        // (A listed parent of a never-bound path would bring it along: the spec writer's tests keep /etc/ssl out of the list.)
        CollectionAssert.AreEqual(new[] { "--ro-bind-try", P("etc/ssl"), P("etc/ssl") }, arguments);
    }

    private List<string> Binds(IReadOnlyList<string> paths) => SystemPathBinds.Arguments(paths, _ => true, [P("etc/ssl/private")]);

    private string P(string relative) => Path.Combine(root, relative);

    private void Write(params string[] files)
    {
        foreach (var file in files)
        {
            File.WriteAllText(P(file), file);
        }
    }

    private void Link(string at, string target) => File.CreateSymbolicLink(P(at), target);
}
