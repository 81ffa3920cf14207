/**
 * The certificate a gateway serves, as `pxgate start` hands it to the agent it runs beside:
 * the agent pins it instead of trusting a CA.
 */
export interface ServedCertificate {
  /** The PEM chain as configured. */
  readonly certPem: Buffer;
  /** SHA-256 fingerprint of the leaf, in the form TLS peers report (`AB:CD:...`). */
  readonly fingerprint256: string;
}
