using System.Globalization;

namespace CapaKit.Tool.Egress;

/// <summary>
/// The relay that runs inside the install sandbox. The sandbox has only a loopback interface, and Bun's
/// <c>HTTPS_PROXY</c> must be an <c>http://host:port</c> URL, so a small Bun script listens on
/// 127.0.0.1:PORT, pipes every connection to the proxy's unix socket, and runs the install command with the
/// proxy variables set: <c>bun relay.js &lt;unixSocketPath&gt; &lt;port&gt; -- &lt;command...&gt;</c>.
/// </summary>
public static class SandboxEgressRelay
{
    public const string ScriptFileName = "capakit-egress-relay.js";

    /// <summary>Writes the relay script into <paramref name="folder"/> (created if missing) and returns its path.</summary>
    public static string WriteRelayScript(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, ScriptFileName);

        // Write beside and rename, so a sandbox never sees a half-written script.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, RelayScript);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>The variables the relay sets for its command (exposed so launchers and tests agree on them).</summary>
    public static IReadOnlyDictionary<string, string> ProxyEnvironment(int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var url = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HTTP_PROXY"] = url,
            ["HTTPS_PROXY"] = url,
            ["http_proxy"] = url,
            ["https_proxy"] = url,

            // Empty, not unset: an inherited NO_PROXY must not route a registry around the proxy (it would fail anyway, but confusingly).
            ["NO_PROXY"] = "",
            ["no_proxy"] = "",
        };
    }

    /// <summary>
    /// The script. Port 0 picks a free port. Exit code: the command's, or 128+signal when it was killed;
    /// 2 for a usage or listen error, 127 when the command cannot be started.
    /// </summary>
    public const string RelayScript = """
        // CapaKit egress relay: exposes the runtime's egress proxy (a unix socket bound into this sandbox) as
        // http://127.0.0.1:PORT, then runs the install command with HTTP(S)_PROXY pointing at it.
        // Usage: bun capakit-egress-relay.js <unixSocketPath> <port> -- <command...>
        "use strict";
        const net = require("node:net");
        const os = require("node:os");
        const { spawn } = require("node:child_process");

        const fail = (code, message) => {
          process.stderr.write(`capakit egress relay: ${message}\n`);
          process.exit(code);
        };

        const args = process.argv.slice(2);
        if (args.length < 4 || args[2] !== "--") {
          fail(2, "usage is <unixSocketPath> <port> -- <command...>; the runtime starts this relay, so report this as a CapaKit bug.");
        }
        const socketPath = args[0];
        const port = Number(args[1]);
        const command = args.slice(3);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          fail(2, `'${args[1]}' is not a TCP port; pass a number from 0 to 65535.`);
        }

        let child = null;
        const signalNumber = (name) => os.constants.signals[name] ?? 0;
        // Registered before anything starts, so a stop request never leaves the command orphaned.
        for (const name of ["SIGTERM", "SIGINT", "SIGHUP"]) {
          process.on(name, () => {
            if (child && child.exitCode === null && child.signalCode === null) {
              child.kill(name);
            } else {
              process.exit(128 + signalNumber(name));
            }
          });
        }

        // allowHalfOpen: a client that finishes sending must still receive the answer.
        const server = net.createServer({ allowHalfOpen: true }, (client) => {
          client.setNoDelay(true);
          const upstream = net.createConnection({ path: socketPath, allowHalfOpen: true });
          const closeBoth = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on("error", closeBoth);
          upstream.on("error", closeBoth);
          client.on("close", () => upstream.destroy());
          upstream.on("close", () => client.destroy());
          client.pipe(upstream);
          upstream.pipe(client);
        });

        server.on("error", (error) => {
          fail(2, `cannot listen on 127.0.0.1:${port} (${error.code ?? error.message}); choose another port.`);
        });

        server.listen(port, "127.0.0.1", () => {
          const proxyUrl = `http://127.0.0.1:${server.address().port}`;
          const env = {
            ...process.env,
            HTTP_PROXY: proxyUrl,
            HTTPS_PROXY: proxyUrl,
            http_proxy: proxyUrl,
            https_proxy: proxyUrl,
            NO_PROXY: "",
            no_proxy: "",
          };
          child = spawn(command[0], command.slice(1), { stdio: "inherit", env });
          child.on("error", (error) => {
            fail(127, `cannot start '${command[0]}' (${error.code ?? error.message}); check that the command exists inside the sandbox.`);
          });
          child.on("exit", (code, signal) => {
            process.exit(code ?? 128 + signalNumber(signal));
          });
        });
        """;
}
