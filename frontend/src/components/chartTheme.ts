/** Chart text stays dark (the series colour is on the swatch, not the words): 4.5:1 on white or more. */
export const TOOLTIP_ITEM_STYLE = { color: '#18202b' } as const;

/** Axis labels: #4b5563 is 7.6:1 on white. */
export const AXIS_TICK = { fontSize: 12, fill: '#4b5563' } as const;
