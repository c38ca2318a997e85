// The parts of @dailymotion/vmap (3.x, plain JS) the ad tests read.
declare module '@dailymotion/vmap' {
  interface VmapAdBreak {
    timeOffset: string;
    breakType: string;
    breakId: string | null;
    adSource: { id: string; adTagURI: { uri: string; templateType: string } | null } | null;
  }
  export default class VMAP {
    constructor(xml: unknown);
    version: string;
    adBreaks: VmapAdBreak[];
  }
}
