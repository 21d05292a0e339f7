// The KIS account credentials as every layer sees them: config reads them from the environment or a 0600
// file, the KIS adapter signs requests with them, the daemon passes them along. Never logged (src/log masks them).
export interface KisCredentials {
  appKey: string;
  appSecret: string;
  /** 8-digit CANO */
  cano: string;
  /** 2-digit ACNT_PRDT_CD */
  acntPrdtCd: string;
  /** HTS id (tr_key of execution notices); may be empty when notices are not used. */
  htsId: string;
}
