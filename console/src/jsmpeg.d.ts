/** The parts of @cycjimmy/jsmpeg-player (which ships no types) that the live view uses. */
declare module '@cycjimmy/jsmpeg-player' {
  interface PlayerOptions {
    canvas?: HTMLCanvasElement;
    audio?: boolean;
    disableWebAssembly?: boolean;
    autoplay?: boolean;
    pauseWhenHidden?: boolean;
    videoBufferSize?: number;
    onSourceEstablished?: () => void;
    onSourceCompleted?: () => void;
  }
  class Player {
    constructor(url: string, options: PlayerOptions);
    destroy(): void;
  }
  const JSMpeg: { Player: typeof Player };
  export default JSMpeg;
}
