export declare const CLI_SHEBANG: string;
export declare function buildNodeBundles(outDir: string, which?: readonly ('cli' | 'electron')[]): Promise<void>;
