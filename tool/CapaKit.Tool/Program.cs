using CapaKit.Tool.Commands;

CapaKit.Tool.Output.StartupTrace.Mark("main");
return await CapaKitCli.RunAsync(args);
