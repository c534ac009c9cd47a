// Licence detection against the opening and key clauses of each licence's real text, in the
// shapes found in repositories (reflowed, Markdown headings, "//" comment prefixes), plus
// texts that must not be mistaken for a neighbour (LGPL for GPL, 4-clause BSD for 3-clause).
import { describe, expect, it } from "vitest";
import { detectLicense, pickLicenseFile } from "./license.ts";

const MIT = `MIT License

Copyright (c) 2024 Ada Lovelace

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.`;

const APACHE = `
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION`;

const GPL3 = `                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>`;

const GPL2 = `                    GNU GENERAL PUBLIC LICENSE
                       Version 2, June 1991

 Copyright (C) 1989, 1991 Free Software Foundation, Inc.`;

const AGPL3 = `                    GNU AFFERO GENERAL PUBLIC LICENSE
                       Version 3, 19 November 2007`;

const LGPL3 = `                   GNU LESSER GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

  This version of the GNU Lesser General Public License incorporates
the terms and conditions of version 3 of the GNU General Public
License, supplemented by the additional permissions listed below.`;

const LGPL2 = `                  GNU LIBRARY GENERAL PUBLIC LICENSE
                       Version 2, June 1991`;

const BSD_HEAD = `Copyright (c) 2020, The Authors
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.
`;
const BSD2 = `${BSD_HEAD}
THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"`;
const BSD3 = `${BSD_HEAD}
3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.`;
const BSD4 = `${BSD3}
4. All advertising materials mentioning features or use of this software
   must display the following acknowledgement.`;

const MPL2 = `Mozilla Public License Version 2.0
==================================

1. Definitions`;

const ISC = `ISC License

Copyright (c) 2004-2010 by Internet Systems Consortium, Inc. ("ISC")

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.`;

const UNLICENSE = `This is free and unencumbered software released into the public domain.`;

describe("detectLicense", () => {
  const table: [string, string, string][] = [
    ["MIT", MIT, "MIT"],
    ["MIT as Markdown", `# MIT License\n\n${MIT.replace(/\n/g, " ")}`, "MIT"],
    [
      "MIT in // comments",
      MIT.split("\n")
        .map((l) => `// ${l}`)
        .join("\n"),
      "MIT",
    ],
    ["Apache 2.0", APACHE, "Apache-2.0"],
    ["GPL 3", GPL3, "GPL-3.0"],
    ["GPL 2", GPL2, "GPL-2.0"],
    ["AGPL 3", AGPL3, "AGPL-3.0"],
    ["LGPL 3 (mentions the GPL)", LGPL3, "LGPL-3.0"],
    ["LGPL 2 (library)", LGPL2, "unknown"],
    ["BSD 2-clause", BSD2, "BSD-2-Clause"],
    ["BSD 3-clause", BSD3, "BSD-3-Clause"],
    ["BSD 4-clause", BSD4, "unknown"],
    ["MPL 2.0", MPL2, "MPL-2.0"],
    ["ISC", ISC, "ISC"],
    ["ISC (old 'and' wording)", ISC.replace("and/or", "and"), "ISC"],
    ["the Unlicense", UNLICENSE, "unknown"],
    ["empty", "", "unknown"],
  ];
  it.each(table)("%s", (_name, text, id) => {
    expect(detectLicense(text)).toBe(id);
  });
  it("ignores case and CRLF line ends", () => {
    expect(detectLicense(MIT.toUpperCase().replace(/\n/g, "\r\n"))).toBe("MIT");
  });
});

describe("pickLicenseFile", () => {
  const blob = (name: string) => ({ name, type: "blob" });
  it("prefers LICENSE, then LICENCE, then COPYING, the bare name first", () => {
    expect(pickLicenseFile([blob("COPYING"), blob("license.md"), blob("LICENSE")])?.name).toBe("LICENSE");
    expect(pickLicenseFile([blob("COPYING"), blob("Licence.txt")])?.name).toBe("Licence.txt");
    expect(pickLicenseFile([blob("README.md"), blob("COPYING")])?.name).toBe("COPYING");
  });
  it("ignores directories and other files", () => {
    expect(pickLicenseFile([{ name: "LICENSE", type: "tree" }, blob("LICENSE-THIRD-PARTY")])).toBeUndefined();
    expect(pickLicenseFile([blob("COPYING.LESSER"), blob("src")])).toBeUndefined();
  });
});
