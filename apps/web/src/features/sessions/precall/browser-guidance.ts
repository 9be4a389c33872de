/** Which browser the person uses, for the "how to allow the camera" steps (from the user agent). */
export type BrowserFamily =
  | "edge"
  | "chrome"
  | "firefox"
  | "safari-ios"
  | "safari-mac"
  | "samsung"
  | "chrome-android"
  | "other";

export function detectBrowser(userAgent: string): BrowserFamily {
  if (/SamsungBrowser\//.test(userAgent)) return "samsung";
  // Every browser on iPhone/iPad is WebKit and the permission lives in iOS Settings › Safari-like steps.
  if (/iPhone|iPad|iPod/.test(userAgent)) return "safari-ios";
  if (/Edg(A|iOS)?\//.test(userAgent)) return "edge";
  if (/Firefox\/|FxiOS\//.test(userAgent)) return "firefox";
  if (/Android/.test(userAgent) && /Chrome\//.test(userAgent)) return "chrome-android";
  if (/Chrome\/|CriOS\//.test(userAgent)) return "chrome";
  // iPadOS 13+ says "Macintosh": both are Safari's site settings.
  if (/Safari\//.test(userAgent) && /Macintosh/.test(userAgent)) return "safari-mac";
  return "other";
}

export interface Guidance {
  browser: string;
  steps: string[];
}

/** Step by step, in the words of each browser's own menus. */
export function permissionGuidance(family: BrowserFamily): Guidance {
  switch (family) {
    case "chrome":
    case "edge": {
      const browser = family === "edge" ? "Microsoft Edge" : "Google Chrome";
      return {
        browser,
        steps: [
          "Click the camera icon (or the lock icon) at the left of the address bar.",
          "Set Camera and Microphone to Allow.",
          "If they are greyed out, your computer blocks them: open the system's Privacy settings and allow the browser to use the camera and microphone.",
          "Press Retry below.",
        ],
      };
    }
    case "firefox":
      return {
        browser: "Firefox",
        steps: [
          "Click the crossed-out camera icon at the left of the address bar.",
          'Next to "Blocked temporarily" or "Blocked", click the × to clear the block for Camera and Microphone.',
          "Press Retry below, then choose Allow when Firefox asks.",
        ],
      };
    case "safari-ios":
      return {
        browser: "iPhone or iPad",
        steps: [
          "Tap the aA icon in the address bar, then Website Settings.",
          "Set Camera and Microphone to Allow.",
          "If they are not listed: open the Settings app › Safari (or your browser) › Camera and Microphone, and choose Allow.",
          "Come back to this page and tap Retry below.",
        ],
      };
    case "safari-mac":
      return {
        browser: "Safari on a Mac",
        steps: [
          "In the menu bar choose Safari › Settings for This Website.",
          "Set Camera and Microphone to Allow.",
          "If Safari still cannot use them: Apple menu › System Settings › Privacy & Security › Camera (and Microphone), and switch Safari on.",
          "Press Retry below.",
        ],
      };
    case "samsung":
      return {
        browser: "Samsung Internet",
        steps: [
          "Tap the lock icon in the address bar, then Permissions (or open ☰ › Settings › Sites and downloads › Site permissions).",
          "Allow Camera and Microphone for this site.",
          "If the phone blocks the browser itself: Settings › Apps › Samsung Internet › Permissions › allow Camera and Microphone.",
          "Come back and tap Retry below.",
        ],
      };
    case "chrome-android":
      return {
        browser: "Chrome on Android",
        steps: [
          "Tap the icon at the left of the address bar, then Permissions.",
          "Turn on Camera and Microphone (or tap Reset permissions).",
          "If the phone blocks Chrome itself: Settings › Apps › Chrome › Permissions › allow Camera and Microphone.",
          "Come back and tap Retry below.",
        ],
      };
    case "other":
      return {
        browser: "your browser",
        steps: [
          "Look for a camera or lock icon next to the web address and allow the camera and microphone for this site.",
          "If your device's settings block the browser, allow it there too.",
          "Press Retry below. If it still does not work, try Chrome, Edge, Firefox or Safari.",
        ],
      };
  }
}
