/** `T` with the keys `K` made optional: what a new row may leave out (the store fills in null). */
export type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;
