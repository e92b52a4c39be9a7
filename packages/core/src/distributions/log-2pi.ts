/** log(2π), the constant in every Gaussian log-density. */
export const LOG_2PI = Math.log(2 * Math.PI);
