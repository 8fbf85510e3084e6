#!/usr/bin/python3
"""The management page in headless Chromium (Debian's chromium and
chromium-driver, driven by python3-selenium), over HTTPS: one browser for
every step.  Prints TAP lines; saves a screenshot of each page.

usage: browser.py BASE-URL USER PASSWORD SPKI-PIN FILES-DIR SHOTS-DIR
  BASE-URL   https://localhost:PORT/credstore (the page is BASE-URL/manage)
  SPKI-PIN   base64 SHA-256 of the server key's SubjectPublicKeyInfo: the
             only certificate Chromium accepts besides its own roots
  FILES-DIR  ca.pem, server2-chain.pem, server2-enc.key (password key-pw)
"""
import base64
import os
import subprocess
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

base, user, password, pin, files, shots = sys.argv[1:7]
failed = False
step = 0


def check(description, ok, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + description)
    if not ok:
        failed = True
        for line in str(detail).splitlines()[-15:]:
            print("#   " + line)


def shot(name):
    global step
    step += 1
    path = os.path.join(shots, "%02d-%s.png" % (step, name))
    driver.save_screenshot(path)
    print("# screenshot " + path)


def submit(button_id):
    """Click a form's button and wait for the answer page to replace this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, button_id).click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(page))


def result():
    found = driver.find_elements(By.ID, "result")
    return (found[0].get_attribute("class"), found[0].text) if found else ("", "")


options = webdriver.ChromeOptions()
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1100,1500", "--user-data-dir=" + os.path.join(shots, ".profile"),
            "--ignore-certificate-errors-spki-list=" + pin, "--no-first-run"):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    # The web server's basic authentication, as a browser sends it.
    token = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                           {"headers": {"Authorization": "Basic " + token}})

    driver.get(base + "/manage")
    body = driver.find_element(By.TAG_NAME, "body").text
    check("the page loads over HTTPS with the store's identity", "What terminals download" in body,
          body)
    check("it shows no server certificate yet", "none installed" in body, body)
    check("the page uses no script and no external asset",
          not driver.find_elements(By.TAG_NAME, "script") and
          not driver.find_elements(By.CSS_SELECTOR, "link, img, iframe"))
    shot("overview")

    # The appliance: four inputs, one transaction.  A wrong password first.
    def appliance(key_password):
        driver.get(base + "/manage")
        driver.find_element(By.ID, "root").send_keys(os.path.join(files, "ca.pem"))
        driver.find_element(By.ID, "server").send_keys(os.path.join(files, "server2-chain.pem"))
        driver.find_element(By.ID, "key").send_keys(os.path.join(files, "server2-enc.key"))
        driver.find_element(By.ID, "password").send_keys(key_password)
        submit("appliance-submit")
        return result()

    kind, text = appliance("not-the-password")
    check("a wrong key password is shown in plain words", kind == "error" and "Nothing was changed"
          in text, text)
    shot("appliance-refused")
    kind, text = appliance("key-pw")
    check("root, server certificate, key and password are installed together", kind == "ok", text)
    body = driver.find_element(By.TAG_NAME, "body").text
    check("the page shows what terminals will get: the new server certificate",
          "CN=localhost (replaced)" in body, body)
    shot("appliance-installed")

    # The camera: a CSR made by the daemon, shown and offered for download.
    driver.find_element(By.ID, "cn").send_keys("camera.example")
    submit("csr-submit")
    csr = driver.find_element(By.ID, "csr").text
    check("a CSR is made and shown", csr.startswith("-----BEGIN CERTIFICATE REQUEST-----"), csr)
    shot("camera-csr")
    with open(os.path.join(files, "browser.csr"), "w") as f:
        f.write(csr + "\n")
    signed = os.path.join(files, "browser.pem")
    subprocess.run(["openssl", "x509", "-req", "-in", os.path.join(files, "browser.csr"),
                    "-CA", os.path.join(files, "ca.pem"), "-CAkey", os.path.join(files, "ca.key"),
                    "-CAcreateserial", "-days", "30", "-out", signed], check=True,
                   capture_output=True)
    driver.get(base + "/manage")
    driver.find_element(By.ID, "cert").send_keys(signed)
    submit("camera-upload-submit")
    kind, text = result()
    check("the signed certificate is uploaded", kind == "ok", text)
    check("the camera's status is certSrv.pem",
          driver.find_element(By.ID, "camera-status").text == "certSrv.pem")
    shot("camera-installed")

    # A device's page: a new sub secret.
    driver.get(base + "/manage")
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, "dev1").click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(page))
    check("the device page opens from the list", "Device dev1" in driver.title, driver.title)
    driver.find_element(By.ID, "secret-input").send_keys("browser-sub-secret")
    submit("reset-secret-submit")
    kind, text = result()
    check("reset secret (sub) is done", kind == "ok" and "dev1" in text, text)
    check("the new secret is in no URL", "browser-sub-secret" not in driver.current_url)
    shot("device-sub-reset")
    submit("drop-sub-submit")
    kind, text = result()
    check("drop-sub is done", kind == "ok", text)
    submit("promote-submit")
    kind, text = result()
    check("promote without a sub is refused in plain words", kind == "error" and "failed" in text,
          text)
    shot("device-promote-refused")
finally:
    driver.quit()
sys.exit(1 if failed else 0)
