/**
 * Inline styles for the HTML mails. Mail clients drop <style> blocks and external sheets, so
 * every element carries its style; naming them here keeps the templates readable and alike.
 */
const MONO = 'ui-monospace,SFMono-Regular,Menlo,Consolas,monospace';

export const MAIL_STYLES = {
  h1: 'margin:0 0 16px;font-size:20px;line-height:1.3;color:#1b1f24;',
  p: 'margin:0 0 12px;',
  muted: 'margin:0 0 12px;color:#58606b;font-size:13px;',
  table: 'width:100%;border-collapse:collapse;margin:0 0 16px;font-size:14px;',
  th: 'text-align:left;padding:6px 8px;border-bottom:1px solid #d7dbe0;color:#58606b;font-size:13px;font-weight:normal;',
  thRight:
    'text-align:right;padding:6px 8px;border-bottom:1px solid #d7dbe0;color:#58606b;font-size:13px;font-weight:normal;',
  td: 'padding:6px 8px;border-bottom:1px solid #eef0f3;vertical-align:top;',
  tdRight: 'padding:6px 8px;border-bottom:1px solid #eef0f3;text-align:right;vertical-align:top;',
  tdLabel: 'padding:6px 8px;color:#58606b;width:40%;vertical-align:top;',
  tdStrong: 'padding:6px 8px;font-weight:bold;',
  tdStrongRight: 'padding:6px 8px;font-weight:bold;text-align:right;',
  button:
    'display:inline-block;padding:12px 22px;background:#0b5cad;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;font-size:16px;',
  box: 'background:#f4f6f8;border:1px solid #d7dbe0;border-radius:6px;padding:12px 16px;margin:0 0 16px;',
  notice: 'background:#fff4e5;color:#8a4b00;border-radius:6px;padding:12px 16px;margin:0 0 16px;',
  code: `font-family:${MONO};font-size:26px;letter-spacing:4px;font-weight:bold;`,
  mono: `font-family:${MONO};`,
  link: 'color:#0b5cad;word-break:break-all;',
} as const;
