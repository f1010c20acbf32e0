export declare function buildNodeBundles(outDir: string, which?: readonly ('cli' | 'electron')[]): Promise<void>;
export declare function escapeBeyondAscii(file: string): void;
