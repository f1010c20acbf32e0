export declare function buildReviewPage(outDir: string): Promise<void>;
export declare function buildBenchRun(outDir: string): Promise<void>;
