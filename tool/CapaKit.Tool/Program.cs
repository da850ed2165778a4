using CapaKit.Tool.Commands;

return await CapaKitCli.RunAsync(args);
